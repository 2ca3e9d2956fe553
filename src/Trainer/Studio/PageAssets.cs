using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using System.Reflection;

namespace Distill.Trainer.Studio;

/// <summary>The page's files, embedded in the assembly at build time (the page's own sources and the npm libraries),
/// so the studio works offline and cannot serve anything else from disk.</summary>
public static class PageAssets
{
    const string Prefix = "studio/";
    static readonly Dictionary<string, string> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8", [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    public static IEnumerable<string> Names =>
        Assembly.GetExecutingAssembly().GetManifestResourceNames().Where(n => n.StartsWith(Prefix))
            .Select(n => n[Prefix.Length..]);

    public static void Map(WebApplication app)
    {
        foreach (var name in Names)
        {
            string route = name == "index.html" ? "/" : "/assets/" + name;
            string type = Types.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
            byte[] bytes = Read(name);
            app.MapGet(route, (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "no-store";
                return Results.Bytes(bytes, type);
            });
        }
    }

    static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(Prefix + name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
