using System.Text;
using Simian.Sandbox.Policy;

namespace Simian.Sandbox.Tests.Policy;

public sealed class PolicyEvaluatorTests
{
    private const string Role = "arn:aws:iam::123456789012:role/GameDay";
    private const string Session = "arn:aws:sts::123456789012:assumed-role/GameDay/simian";
    private const string Dev = "arn:aws:iam::123456789012:user/dev";

    private static PolicyRequest DevGet(string key = "index.html") => new(
        [Dev, "arn:aws:iam::123456789012:root"],
        "s3:GetObject",
        "arn:aws:s3:::site/" + key,
        Keys(("aws:PrincipalArn", Dev), ("aws:userid", "AIDADEV"), ("aws:username", "dev"), ("aws:PrincipalAccount", "123456789012")));

    private static PolicyRequest RoleGet() => new(
        [Session, Role, "arn:aws:iam::123456789012:root"],
        "s3:GetObject",
        "arn:aws:s3:::site/index.html",
        Keys(("aws:PrincipalArn", Role), ("aws:userid", "AROAGAMEDAY:simian"), ("aws:PrincipalAccount", "123456789012")));

    private static PolicyRequest AnonymousGet() =>
        new([], "s3:GetObject", "arn:aws:s3:::site/index.html", Keys(("aws:userid", "anonymous")));

    private static Dictionary<string, string> Keys(params (string Key, string Value)[] keys) =>
        keys.ToDictionary(k => k.Key, k => k.Value, StringComparer.OrdinalIgnoreCase);

    private static BucketPolicy Policy(string statement) =>
        BucketPolicy.Parse(Encoding.UTF8.GetBytes($$"""{"Version":"2012-10-17","Statement":[{{statement}}]}"""));

    private static bool Denied(string statement, PolicyRequest request) =>
        PolicyEvaluator.Evaluate(Policy(statement), request).Denied;

    private static string DenyWhen(string condition) => "{" + DenyAll + ",\"Condition\":" + condition + "}";

    private const string DenyAll = "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"";

    [Fact]
    public void A_policy_without_deny_statements_allows()
    {
        Assert.False(Denied("""{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}""", DevGet()));
    }

    [Fact]
    public void An_explicit_deny_wins_over_an_allow()
    {
        var policy = BucketPolicy.Parse(Encoding.UTF8.GetBytes(
            $$"""{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},{"Sid":"NoReads",{{DenyAll}}}]}"""));

        var decision = PolicyEvaluator.Evaluate(policy, DevGet());

        Assert.True(decision.Denied);
        Assert.Contains("NoReads", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"s3:GetObject\"", true)]
    [InlineData("\"S3:GETOBJECT\"", true)]
    [InlineData("\"s3:*Object*\"", true)]
    [InlineData("\"s3:Get*\"", true)]
    [InlineData("\"s3:Put*\"", false)]
    [InlineData("[\"s3:PutObject\",\"s3:GetObject\"]", true)]
    [InlineData("\"s3:ListBucket\"", false)]
    public void Actions_match_with_wildcards_and_without_case(string actions, bool denied)
    {
        Assert.Equal(denied, Denied($$"""{"Effect":"Deny","Principal":"*","Action":{{actions}},"Resource":"*"}""", DevGet()));
    }

    [Theory]
    [InlineData("\"s3:GetObject\"", false)]
    [InlineData("[\"s3:List*\",\"s3:Get*\"]", false)]
    [InlineData("\"s3:PutObject\"", true)]
    public void NotAction_denies_everything_but_the_listed_actions(string notActions, bool denied)
    {
        Assert.Equal(denied, Denied($$"""{"Effect":"Deny","Principal":"*","NotAction":{{notActions}},"Resource":"*"}""", DevGet()));
    }

    [Theory]
    [InlineData("\"arn:aws:s3:::site/*\"", true)]
    [InlineData("\"arn:aws:s3:::site\"", false)]
    [InlineData("\"arn:aws:s3:::site/private/*\"", false)]
    [InlineData("\"arn:aws:s3:::SITE/*\"", false)]
    [InlineData("[\"arn:aws:s3:::other/*\",\"arn:aws:s3:::site/index.*\"]", true)]
    public void Resources_match_case_sensitively_with_wildcards(string resources, bool denied)
    {
        Assert.Equal(denied, Denied($$"""{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":{{resources}}}""", DevGet()));
    }

    [Fact]
    public void NotResource_spares_the_listed_resources()
    {
        const string Statement = """{"Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":"arn:aws:s3:::site/public/*"}""";

        Assert.True(Denied(Statement, DevGet("index.html")));
        Assert.False(Denied(Statement, DevGet("public/logo.png")));
    }

    [Theory]
    [InlineData("\"*\"", true)]
    [InlineData("{\"AWS\":\"*\"}", true)]
    [InlineData("{\"AWS\":\"arn:aws:iam::123456789012:user/dev\"}", true)]
    [InlineData("{\"AWS\":[\"arn:aws:iam::999999999999:root\",\"arn:aws:iam::123456789012:user/dev\"]}", true)]
    [InlineData("{\"AWS\":\"123456789012\"}", true)]
    [InlineData("{\"AWS\":\"arn:aws:iam::123456789012:role/GameDay\"}", false)]
    [InlineData("{\"Service\":\"cloudfront.amazonaws.com\"}", false)]
    public void Principals_name_who_a_deny_applies_to(string principal, bool denied)
    {
        Assert.Equal(denied, Denied($$"""{"Effect":"Deny","Principal":{{principal}},"Action":"s3:*","Resource":"*"}""", DevGet()));
    }

    [Fact]
    public void A_role_principal_matches_its_sessions()
    {
        Assert.True(Denied("""{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:role/GameDay"},"Action":"s3:*","Resource":"*"}""", RoleGet()));
    }

    /// <summary>
    /// NotPrincipal with Deny spares a caller only when its account is listed too: AWS checks the account, then the
    /// role, then the session (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
    /// </summary>
    [Fact]
    public void NotPrincipal_spares_the_listed_principals_only_with_their_account()
    {
        const string RoleAndAccount = """{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:role/GameDay","arn:aws:iam::123456789012:root"]},"Action":"s3:*","Resource":"*"}""";
        const string RoleOnly = """{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:role/GameDay"},"Action":"s3:*","Resource":"*"}""";
        const string AccountOnly = """{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"s3:*","Resource":"*"}""";

        Assert.True(Denied(RoleAndAccount, DevGet()));
        Assert.False(Denied(RoleAndAccount, RoleGet()));
        Assert.True(Denied(RoleAndAccount, AnonymousGet()));
        Assert.True(Denied(RoleOnly, RoleGet()));
        Assert.True(Denied(AccountOnly, RoleGet()));
        Assert.True(Denied(AccountOnly, DevGet()));
    }

    [Fact]
    public void Anonymous_callers_match_only_the_star_principal()
    {
        Assert.True(Denied("{" + DenyAll + "}", AnonymousGet()));
        Assert.False(Denied("""{"Effect":"Deny","Principal":{"AWS":"123456789012"},"Action":"s3:*","Resource":"*"}""", AnonymousGet()));
    }

    [Theory]
    [InlineData("StringNotLike", "arn:aws:iam::123456789012:role/GameDay", true, false)]
    [InlineData("StringNotLike", "arn:aws:iam::123456789012:role/Game*", true, false)]
    [InlineData("StringNotEquals", "arn:aws:iam::123456789012:role/GameDay", true, false)]
    [InlineData("StringEquals", "arn:aws:iam::123456789012:user/dev", true, false)]
    [InlineData("StringLike", "arn:aws:iam::*:user/*", true, false)]
    [InlineData("ArnNotLike", "arn:aws:iam::*:role/GameDay", true, false)]
    [InlineData("ArnNotEquals", "arn:aws:iam::123456789012:role/GameDay", true, false)]
    [InlineData("ArnLike", "arn:aws:iam::123456789012:user/*", true, false)]
    [InlineData("ArnEquals", "arn:aws:iam::123456789012:role/GameDay", false, true)]
    public void PrincipalArn_conditions_select_who_is_denied(string op, string value, bool devDenied, bool roleDenied)
    {
        var statement = DenyWhen($$$"""{"{{{op}}}":{"aws:PrincipalArn":"{{{value}}}"}}""");

        Assert.Equal(devDenied, Denied(statement, DevGet()));
        Assert.Equal(roleDenied, Denied(statement, RoleGet()));
    }

    [Fact]
    public void Condition_values_in_a_list_are_alternatives()
    {
        var statement = DenyWhen("""{"StringNotLike":{"aws:PrincipalArn":["arn:aws:iam::123456789012:user/dev","arn:aws:iam::123456789012:role/*"]}}""");

        Assert.False(Denied(statement, DevGet()));
        Assert.False(Denied(statement, RoleGet()));
    }

    [Fact]
    public void Condition_keys_and_operators_must_all_match()
    {
        var statement = DenyWhen("""{"StringEquals":{"aws:PrincipalAccount":"123456789012","aws:username":"dev"},"StringLike":{"aws:userid":"AIDA*"}}""");

        Assert.True(Denied(statement, DevGet()));
        Assert.False(Denied(statement, RoleGet()));
    }

    [Fact]
    public void Condition_key_names_are_case_insensitive()
    {
        Assert.True(Denied(DenyWhen("""{"StringEquals":{"AWS:USERNAME":"dev"}}"""), DevGet()));
    }

    [Fact]
    public void A_missing_key_fails_positive_operators_and_satisfies_negated_ones()
    {
        Assert.False(Denied(DenyWhen("""{"StringEquals":{"aws:username":"dev"}}"""), RoleGet()));
        Assert.True(Denied(DenyWhen("""{"StringNotEquals":{"aws:username":"dev"}}"""), RoleGet()));
        Assert.True(Denied(DenyWhen("""{"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/GameDay"}}"""), AnonymousGet()));
    }

    [Fact]
    public void IfExists_and_Null_handle_missing_keys()
    {
        Assert.True(Denied(DenyWhen("""{"StringEqualsIfExists":{"aws:username":"nobody"}}"""), RoleGet()));
        Assert.False(Denied(DenyWhen("""{"StringEqualsIfExists":{"aws:username":"nobody"}}"""), DevGet()));
        Assert.True(Denied(DenyWhen("""{"Null":{"aws:username":"true"}}"""), RoleGet()));
        Assert.False(Denied(DenyWhen("""{"Null":{"aws:username":"true"}}"""), DevGet()));
    }

    [Fact]
    public void Bool_compares_secure_transport()
    {
        var request = DevGet() with { ConditionKeys = Keys(("aws:SecureTransport", "false")) };

        Assert.True(Denied(DenyWhen("""{"Bool":{"aws:SecureTransport":"false"}}"""), request));
        Assert.True(Denied(DenyWhen("""{"Bool":{"aws:SecureTransport":false}}"""), request));
    }

    [Theory]
    [InlineData("{\"NumericLessThan\":{\"s3:max-keys\":\"10\"}}")]
    [InlineData("{\"ForAnyValue:StringLike\":{\"aws:PrincipalArn\":\"x\"}}")]
    [InlineData("{\"StringEquals\":\"not-an-object\"}")]
    [InlineData("{\"StringEquals\":{\"aws:username\":{\"nested\":true}}}")]
    [InlineData("\"not-an-object\"")]
    public void Deny_statements_whose_conditions_cannot_be_evaluated_fail_closed(string condition)
    {
        var decision = PolicyEvaluator.Evaluate(Policy(DenyWhen(condition)), RoleGet());

        Assert.True(decision.Denied);
        Assert.Contains("failing closed", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Allow_statements_with_odd_conditions_do_not_deny()
    {
        Assert.False(Denied("""{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bogus":{"a":"b"}}}""", DevGet()));
    }

    [Fact]
    public void A_malformed_principal_in_a_deny_fails_closed()
    {
        Assert.True(Denied("""{"Effect":"Deny","Principal":42,"Action":"s3:*","Resource":"*"}""", RoleGet()));
    }
}
