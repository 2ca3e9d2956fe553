using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Distill.Trainer.Studio;

namespace Distill.Tests.Studio;

/// <summary>A studio server on the test workspace and an HTTP client that carries its token.</summary>
public sealed class StudioClient : IAsyncDisposable
{
    public StudioServer Server { get; }
    public HttpClient Http { get; }
    public Uri Base { get; }

    StudioClient(StudioServer server)
    {
        Server = server;
        Base = new Uri(server.Address.Split('?')[0]);
        Http = new HttpClient { BaseAddress = Base, Timeout = TimeSpan.FromMinutes(2) };
        Http.DefaultRequestHeaders.Add(AccessToken.Header, server.Token.Value);
    }

    public static async Task<StudioClient> Start(string root)
    {
        var server = new StudioServer(root);
        await server.StartAsync();
        return new StudioClient(server);
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> Get(string path)
    {
        using var response = await Http.GetAsync(path);
        return (response.StatusCode, await Json(response));
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, object? body = null)
    {
        using var response = await Http.PostAsJsonAsync(path, body ?? new { });
        return (response.StatusCode, await Json(response));
    }

    /// <summary>The body as JSON; a body that is not JSON is an error of the test's own making.</summary>
    static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
