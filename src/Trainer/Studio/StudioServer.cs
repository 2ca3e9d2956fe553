using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Net;
using Distill.Runtime.Bundle;

namespace Distill.Trainer.Studio;

/// <summary>What every endpoint works with.</summary>
public sealed record StudioState(AllowedRoot Root, OpenWorlds Worlds, TrainingRun Training, EditSessions Edits,
                                 CorpusCache Corpora);

/// <summary>
/// Distill Studio's web server: Kestrel on 127.0.0.1 only, every request checked for the token, the page's embedded
/// files, and the JSON API of API.md (train, worlds, code grid editing). Errors reach the page as
/// <c>{ "error": sentence }</c> with a fitting status, never a stack trace.
/// </summary>
public sealed class StudioServer : IAsyncDisposable
{
    /// <summary>Largest request body: edits and settings are small; anything bigger is refused (413).</summary>
    public const long MaxRequestBytes = 1 << 20;

    readonly WebApplication app;
    readonly StudioState state;

    public AccessToken Token { get; }
    /// <summary>The address to open, token included.</summary>
    public string Address { get; private set; } = "";
    public StudioState State => state;

    public StudioServer(string root, int port = 0, AccessToken? token = null)
    {
        Token = token ?? new AccessToken();
        state = new StudioState(new AllowedRoot(root), new OpenWorlds(), new TrainingRun(), new EditSessions(),
                                new CorpusCache());
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = MaxRequestBytes;
        });
        app = builder.Build();
        app.Use(Errors);
        app.Use(Token.Guard);
        PageAssets.Map(app);
        var api = app.MapGroup("/api");
        api.MapGet("/session", () =>
            new { root = state.Root.Path, version = typeof(StudioServer).Assembly.GetName().Version?.ToString() });
        FolderEndpoints.Map(api, state);
        TrainEndpoints.Map(api, state, app.Lifetime.ApplicationStopping);
        WorldEndpoints.Map(api, state);
        EditEndpoints.Map(api, state);
    }

    public async Task StartAsync()
    {
        await app.StartAsync();
        var bound = new Uri(app.Urls.First());
        Address = $"http://127.0.0.1:{bound.Port}/?{AccessToken.QueryKey}={Token.Value}";
    }

    public Task WaitForShutdownAsync() => app.WaitForShutdownAsync();

    /// <summary>Stops training the way Ctrl+C does (its checkpoint is saved, and the page hears so), then the
    /// server.</summary>
    public async ValueTask DisposeAsync()
    {
        state.Training.StopAndWait();
        await app.StopAsync();
        await app.DisposeAsync();
        state.Edits.Dispose();
        state.Worlds.Dispose();
    }

    static async Task Errors(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            var (status, message, problems) = e switch
            {
                StudioRequestException s => (s.Status, s.Message, null),
                UserFacingException u => (StatusCodes.Status400BadRequest, u.Message, null),
                InvalidWorldException w => (StatusCodes.Status422UnprocessableEntity,
                                            $"'{Path.GetFileName(w.Bundle)}' is not a valid Distill world " +
                                            "(corrupt or damaged bundle).", w.Problems),
                BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                    (StatusCodes.Status413PayloadTooLarge,
                     $"The request is larger than the studio accepts ({MaxRequestBytes >> 20} MiB).",
                     (IReadOnlyList<string>?)null),
                BadHttpRequestException b => (b.StatusCode, $"Bad request: {b.Message}", null),
                _ => (StatusCodes.Status500InternalServerError,
                      $"The studio hit an unexpected error ({e.GetType().Name}: {e.Message}); " +
                      "the terminal running it has the details.", null),
            };
            if (status == StatusCodes.Status500InternalServerError) Console.Error.WriteLine(e);
            context.Response.StatusCode = status;
            await context.Response.WriteAsJsonAsync(new { error = message, problems });
        }
    }
}
