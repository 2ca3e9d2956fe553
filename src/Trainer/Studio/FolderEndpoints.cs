using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Distill.Runtime.Audio;
using Distill.Trainer.Autoencoder;

namespace Distill.Trainer.Studio;

/// <summary><c>GET /api/folders</c>: the server-side folder browser, never above the allowed root.</summary>
public static class FolderEndpoints
{
    const int MaxEntries = 500;

    public static void Map(RouteGroupBuilder api, StudioState state)
    {
        api.MapGet("/folders", (string? path) =>
        {
            string folder = state.Root.Resolve(path);
            if (!Directory.Exists(folder)) throw StudioRequestException.NotFound($"'{path}' is not a folder.");
            try
            {
                var info = new DirectoryInfo(folder);
                var folders = info.EnumerateDirectories().Where(d => !d.Name.StartsWith('.'))
                    .OrderBy(d => d.Name, StringComparer.Ordinal).Take(MaxEntries)
                    .Select(d => new
                    {
                        name = d.Name, path = state.Root.Relative(d.FullName),
                        isRun = File.Exists(Path.Combine(d.FullName, AutoencoderTrainer.CheckpointFile)),
                        hasWorld = File.Exists(Path.Combine(d.FullName, Export.WorldExport.DefaultFile)),
                    }).ToArray();
                var files = info.EnumerateFiles().Where(f => !f.Name.StartsWith('.')).ToArray();
                return Results.Json(new
                {
                    path = state.Root.Relative(folder),
                    parent = folder == state.Root.Path ? null : state.Root.Relative(Path.GetDirectoryName(folder)!),
                    folders,
                    worlds = files.Where(f => f.Extension == ".distill").OrderBy(f => f.Name, StringComparer.Ordinal)
                                  .Select(f => new { name = f.Name, path = state.Root.Relative(f.FullName) })
                                  .Take(MaxEntries),
                    audioFiles = files.Count(f => AudioFileLoader.IsCandidate(f.Name)),
                    isRun = File.Exists(Path.Combine(folder, AutoencoderTrainer.CheckpointFile)),
                }, JsonBody.Options);
            }
            catch (UnauthorizedAccessException)
            {
                throw new StudioRequestException(StatusCodes.Status403Forbidden,
                                                 $"'{path}' cannot be read (permission denied).");

            }
        });
    }
}
