namespace Simian.Sandbox.Tests.TestSupport;

/// <summary>A test that needs a missing program is skipped with the reason outside CI, and runs (to fail) under CI.</summary>
public sealed class ToolFactTests
{
    [Fact]
    public void A_missing_tool_is_named_with_how_to_install_it()
    {
        Assert.Equal("no-such-tool-7f3 is not installed (apt-get install -y no-such-tool-7f3)", Tools.Missing("no-such-tool-7f3"));
        Assert.Null(Tools.Missing());
    }

    [Fact]
    public void A_fact_needing_a_missing_tool_is_skipped_with_the_reason_except_under_ci()
    {
        var fact = new ToolFactAttribute("no-such-tool-7f3");

        if (Tools.InCi) Assert.Null(fact.Skip);
        else Assert.Equal("no-such-tool-7f3 is not installed (apt-get install -y no-such-tool-7f3); CI=true requires it", fact.Skip);
        Assert.Null(new ToolTheoryAttribute().Skip);
    }
}
