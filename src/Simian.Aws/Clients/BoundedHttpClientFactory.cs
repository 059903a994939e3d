using System.Net;
using Amazon.Runtime;

namespace Simian.Aws.Clients;

/// <summary>
/// The SDK's HTTP clients, with one more bound: no answer from an endpoint is read past <see cref="MaxResponseBytes"/>.
/// A hostile or broken endpoint (a sandbox, a proxy in between) that streams without end fails the call — and the
/// call's retry policy takes over — instead of eating memory. Timeouts stay the SDK's (and Polly's, per call).
/// </summary>
public sealed class BoundedHttpClientFactory : HttpClientFactory
{
    /// <summary>Far above any answer simian asks for (a 1,000-instance DescribeInstances page is a few MB).</summary>
    public const long MaxResponseBytes = 64L * 1024 * 1024;

    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        if (clientConfig.GetWebProxy() is { } proxy) handler.Proxy = proxy;
        return new HttpClient(new BoundedResponseHandler(handler, MaxResponseBytes)) { Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(100) };
    }

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;
}

/// <summary>Refuses an answer that says it is too long, and cuts off one that turns out to be.</summary>
public sealed class BoundedResponseHandler(HttpMessageHandler inner, long maxBytes) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            response.Dispose();
            throw new HttpRequestException($"the answer from {request.RequestUri?.GetLeftPart(UriPartial.Authority)} is {response.Content.Headers.ContentLength} bytes, more than the {maxBytes} simian reads");
        }
        var bounded = new StreamContent(new LimitedStream(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), maxBytes, request.RequestUri));
        foreach (var header in response.Content.Headers) bounded.Headers.TryAddWithoutValidation(header.Key, header.Value);
        response.Content = bounded;
        return response;
    }

    private sealed class LimitedStream(Stream inner, long maxBytes, Uri? from) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read)
        {
            _read += read;
            if (_read > maxBytes) throw new IOException($"the answer from {from?.GetLeftPart(UriPartial.Authority)} is longer than the {maxBytes} bytes simian reads");
            return read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
