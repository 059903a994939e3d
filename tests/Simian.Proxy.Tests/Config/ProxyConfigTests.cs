namespace Simian.Proxy.Tests;

public sealed class ProxyConfigTests
{
    private const string Path = "proxies.yaml";

    [Fact]
    public void A_valid_file_yields_its_proxies_in_order()
    {
        ProxyConfig config = ProxyConfig.Parse(
            """
            proxies:
              - name: db
                listen: 127.0.0.1:15432
                upstream: db.internal:5432
              - name: cache
                listen: "[::1]:0"
                upstream: 10.0.0.5:6379
            """,
            Path);

        Assert.Equal(
            [new ProxyDefinition("db", "127.0.0.1:15432", "db.internal:5432"), new ProxyDefinition("cache", "[::1]:0", "10.0.0.5:6379")],
            config.Proxies);
    }

    [Fact]
    public void An_empty_proxies_list_is_allowed()
    {
        Assert.Empty(ProxyConfig.Parse("proxies: []\n", Path).Proxies);
        Assert.Empty(ProxyConfig.Parse("proxies:\n", Path).Proxies);
    }

    [Fact]
    public void A_yaml_syntax_error_carries_its_line_and_column()
    {
        var error = Assert.Throws<ProxyConfigException>(() => ProxyConfig.Parse(
            """
            proxies:
              - name: db
                listen: [127.0.0.1:1
            """,
            Path));

        ProxyConfigError only = Assert.Single(error.Errors);
        Assert.Equal(Path, only.Path);
        Assert.True(only.Line >= 3, $"reported line {only.Line}");
        Assert.StartsWith($"{Path}:{only.Line}:{only.Column}: error: ", only.ToString());
    }

    [Fact]
    public void Every_problem_is_reported_at_the_node_it_concerns()
    {
        var error = Assert.Throws<ProxyConfigException>(() => ProxyConfig.Parse(
            """
            proxies:
              - name: db
                listen: somewhere
                upstream: db:5432
              - name: db
                listen: 127.0.0.1:0
                upstream: db
              - name: cache
                listen: 127.0.0.1:0
                upsteam: x:1
            """,
            Path));

        Assert.Equal(
            [
                "proxies.yaml:3:13: error: 'somewhere' is not host:port (write IPv6 as [::1]:port)",
                "proxies.yaml:5:11: error: proxy 'db' is defined more than once",
                "proxies.yaml:7:15: error: 'db' is not host:port (write IPv6 as [::1]:port)",
                "proxies.yaml:10:5: error: unknown key 'upsteam'; known keys: name, listen, upstream",
                "proxies.yaml:8:5: error: proxy is missing 'upstream'",
            ],
            error.Errors.Select(e => e.ToString()));
        Assert.Equal(string.Join(Environment.NewLine, error.Errors), error.Message);
    }

    [Fact]
    public void A_file_without_a_proxies_list_is_refused()
    {
        var notMapping = Assert.Throws<ProxyConfigException>(() => ProxyConfig.Parse("- a\n- b\n", Path));
        var wrongKey = Assert.Throws<ProxyConfigException>(() => ProxyConfig.Parse("proxy:\n  - name: a\n", Path));
        var empty = Assert.Throws<ProxyConfigException>(() => ProxyConfig.Parse("", Path));

        Assert.Equal("proxies.yaml:1:1: error: expected a mapping with a 'proxies' list", notMapping.Errors.Single().ToString());
        Assert.Contains("proxies.yaml:1:1: error: unknown key 'proxy'; known keys: proxies", wrongKey.Errors.Select(e => e.ToString()));
        Assert.Equal("proxies.yaml:1:1: error: expected a mapping with a 'proxies' list", empty.Errors.Single().ToString());
    }

    [Fact]
    public void Load_reads_the_file_and_names_it_in_errors()
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"simian-proxy-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "proxies:\n  - name: bad name\n    listen: 127.0.0.1:0\n    upstream: a:1\n");
        try
        {
            var error = Assert.Throws<ProxyConfigException>(() => ProxyConfig.Load(path));

            Assert.Equal($"{path}:2:11: error: proxy name 'bad name' may only contain letters, digits, '-', '_' and '.'", error.Errors.Single().ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_file_is_a_config_error()
    {
        var error = Assert.Throws<ProxyConfigException>(() => ProxyConfig.Load("/nonexistent/proxies.yaml"));

        Assert.StartsWith("/nonexistent/proxies.yaml:1:1: error: cannot read the file", error.Message);
    }
}
