using System.Xml;

namespace Simian.Sandbox.Http;

/// <summary>What the awsquery protocol (STS, Auto Scaling) puts around every answer: the error document and ResponseMetadata.</summary>
internal static class QueryXml
{
    public static SandboxResponse Error(AwsErrorException error, string requestId, string ns) =>
        SandboxResponse.Xml(error.Status, w =>
        {
            w.WriteStartElement("ErrorResponse", ns);
            w.WriteStartElement("Error", ns);
            w.WriteElementString("Type", ns, error.Status >= 500 ? "Receiver" : "Sender");
            w.WriteElementString("Code", ns, error.Code);
            w.WriteElementString("Message", ns, error.Message);
            w.WriteEndElement();
            w.WriteElementString("RequestId", ns, requestId);
            w.WriteEndElement();
        });

    public static void Metadata(XmlWriter w, string requestId, string ns)
    {
        w.WriteStartElement("ResponseMetadata", ns);
        w.WriteElementString("RequestId", ns, requestId);
        w.WriteEndElement();
    }
}
