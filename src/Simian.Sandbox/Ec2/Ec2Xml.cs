using System.Globalization;
using System.Xml;

namespace Simian.Sandbox.Ec2;

/// <summary>Writes EC2 responses in the element shapes the SDK's unmarshallers read.</summary>
internal static class Ec2Xml
{
    public const string Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";

    public static void DescribeInstances(XmlWriter w, string requestId, string ownerId, DescribePage page, string? nextToken)
    {
        w.WriteStartElement("DescribeInstancesResponse", Namespace);
        w.WriteElementString("requestId", Namespace, requestId);
        w.WriteStartElement("reservationSet", Namespace);
        // One item per reservation, in the order each first appears: instances launched together share one.
        foreach (var reservation in page.Instances.GroupBy(i => i.ReservationId, StringComparer.Ordinal))
        {
            w.WriteStartElement("item", Namespace);
            w.WriteElementString("reservationId", Namespace, reservation.Key);
            w.WriteElementString("ownerId", Namespace, ownerId);
            w.WriteStartElement("groupSet", Namespace);
            w.WriteEndElement();
            w.WriteStartElement("instancesSet", Namespace);
            foreach (var instance in reservation)
            {
                Instance(w, instance);
            }

            w.WriteEndElement();
            w.WriteEndElement();
        }

        w.WriteEndElement();
        if (nextToken is not null)
        {
            w.WriteElementString("nextToken", Namespace, nextToken);
        }

        w.WriteEndElement();
    }

    public static void StateChanges(XmlWriter w, string action, string requestId, IReadOnlyList<StateChange> changes)
    {
        w.WriteStartElement(action + "Response", Namespace);
        w.WriteElementString("requestId", Namespace, requestId);
        w.WriteStartElement("instancesSet", Namespace);
        foreach (var change in changes)
        {
            w.WriteStartElement("item", Namespace);
            w.WriteElementString("instanceId", Namespace, change.InstanceId);
            State(w, "currentState", change.Current);
            State(w, "previousState", change.Previous);
            w.WriteEndElement();
        }

        w.WriteEndElement();
        w.WriteEndElement();
    }

    public static void Return(XmlWriter w, string action, string requestId)
    {
        w.WriteStartElement(action + "Response", Namespace);
        w.WriteElementString("requestId", Namespace, requestId);
        w.WriteElementString("return", Namespace, "true");
        w.WriteEndElement();
    }

    public static void Error(XmlWriter w, AwsErrorException error, string requestId)
    {
        w.WriteStartElement("Response");
        w.WriteStartElement("Errors");
        w.WriteStartElement("Error");
        w.WriteElementString("Code", error.Code);
        w.WriteElementString("Message", error.Message);
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteElementString("RequestID", requestId);
        w.WriteEndElement();
    }

    private static void Instance(XmlWriter w, InstanceView i)
    {
        var ns = Namespace;
        w.WriteStartElement("item", ns);
        w.WriteElementString("instanceId", ns, i.Id);
        w.WriteElementString("imageId", ns, i.ImageId);
        State(w, "instanceState", i.State);
        var dns = "ip-" + i.PrivateIpAddress.Replace('.', '-') + ".ec2.internal";
        w.WriteElementString("privateDnsName", ns, dns);
        w.WriteElementString("dnsName", ns, "");
        w.WriteElementString("amiLaunchIndex", ns, "0");
        w.WriteElementString("instanceType", ns, i.Type);
        w.WriteElementString("launchTime", ns, i.LaunchTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        w.WriteStartElement("placement", ns);
        w.WriteElementString("availabilityZone", ns, i.Zone);
        w.WriteElementString("groupName", ns, "");
        w.WriteElementString("tenancy", ns, "default");
        w.WriteEndElement();
        w.WriteStartElement("monitoring", ns);
        w.WriteElementString("state", ns, "disabled");
        w.WriteEndElement();
        w.WriteElementString("subnetId", ns, i.SubnetId);
        w.WriteElementString("vpcId", ns, i.VpcId);
        w.WriteElementString("privateIpAddress", ns, i.PrivateIpAddress);
        w.WriteElementString("architecture", ns, "x86_64");
        w.WriteElementString("rootDeviceType", ns, "ebs");
        w.WriteElementString("rootDeviceName", ns, "/dev/xvda");
        w.WriteElementString("virtualizationType", ns, "hvm");
        w.WriteElementString("hypervisor", ns, "xen");
        if (i.StateReason is { } reason)
        {
            w.WriteStartElement("stateReason", ns);
            w.WriteElementString("code", ns, reason.Code);
            w.WriteElementString("message", ns, reason.Message);
            w.WriteEndElement();
        }

        if (i.Spot)
        {
            w.WriteElementString("instanceLifecycle", ns, "spot");
            w.WriteElementString("spotInstanceRequestId", ns, "sir-" + i.Id[2..]);
        }

        if (i.Tags.Count > 0)
        {
            TagSet(w, i.Tags);
        }

        w.WriteEndElement();
    }

    /// <summary>EC2's <c>tagSet</c>: one item per tag, key and value, in the order given.</summary>
    public static void TagSet(XmlWriter w, IEnumerable<KeyValuePair<string, string>> tags)
    {
        w.WriteStartElement("tagSet", Namespace);
        foreach (var (key, value) in tags)
        {
            w.WriteStartElement("item", Namespace);
            w.WriteElementString("key", Namespace, key);
            w.WriteElementString("value", Namespace, value);
            w.WriteEndElement();
        }

        w.WriteEndElement();
    }

    private static void State(XmlWriter w, string element, InstanceStateName state)
    {
        w.WriteStartElement(element, Namespace);
        w.WriteElementString("code", Namespace, ((int)state).ToString(CultureInfo.InvariantCulture));
        w.WriteElementString("name", Namespace, InstanceStates.Name(state));
        w.WriteEndElement();
    }
}
