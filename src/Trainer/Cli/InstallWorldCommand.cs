using System.CommandLine;
using Distill.Runtime.Bundle;
using Distill.Runtime.Engine;
using Distill.Runtime.Text;
using Microsoft.ML.OnnxRuntime;
using Spectre.Console;

namespace Distill.Trainer.Cli;

/// <summary><c>distill install-world</c>: copies a validated world into the folder the plugins read.</summary>
public static class InstallWorldCommand
{
    public static Command Create()
    {
        var world = new Argument<string>("world") { Description = "The .distill file to install." };
        var name = new Option<string?>("--name") { Description = "Name to install it under (default: the file name)." };
        var force = new Option<bool>("--force") { Description = "Replace an installed world of the same name." };
        var command = new Command("install-world",
            $"Install a world for the Distill plugins (into {UserFolders.Worlds}, or $DISTILL_WORLDS).")
        {
            world, name, force,
        };
        command.SetAction(parse => Install(parse.GetValue(world)!, parse.GetValue(name), parse.GetValue(force)));
        return command;
    }

    /// <summary>Loads the world exactly as a plugin does (bundle, OnnxRuntime sessions checked against the manifest,
    /// every key's opening rendered), so nothing is installed that a plugin would refuse.</summary>
    static void CheckPlayable(string source)
    {
        try
        {
            World.Load(source, voiceCount: 0).Dispose();
        }
        catch (InvalidWorldException e)
        {
            throw new UserFacingException($"'{source}' is not a valid world:\n  {string.Join("\n  ", e.Problems)}");
        }
        catch (OnnxRuntimeException e)
        {
            throw new UserFacingException(
                $"'{source}' is not a valid world: its graphs fail when run ({e.Message.Split('\n')[0]})");
        }
    }

    static int Install(string source, string? name, bool force)
    {
        if (!File.Exists(source)) throw new UserFacingException($"No world at '{source}'.");
        CheckPlayable(source);
        name ??= Path.GetFileNameWithoutExtension(source);
        if (name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.StartsWith('.'))
            throw new UserFacingException($"'{name}' cannot be a world name (it becomes a file name).");
        string folder = UserFolders.Worlds, target = Path.Combine(folder, name + WorldCatalog.Extension);
        if (File.Exists(target) && !force)
            throw new UserFacingException($"A world named '{name}' is already installed ({target}); " +
                                          "use --force to replace it or --name to pick another name.");
        try
        {
            Directory.CreateDirectory(folder);
            string temp = target + ".tmp";
            File.Copy(source, temp, overwrite: true);
            File.Move(temp, target, overwrite: true); // a scanning plugin never sees half a world
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserFacingException($"Cannot install into '{folder}': {e.Message}");
        }
        int count = WorldCatalog.Scan(folder).Length;
        AnsiConsole.MarkupLineInterpolated(
            $"Installed [bold]{DisplayText.Escape(name)}[/] → {target} ({count} world{
                (count == 1 ? "" : "s")} installed; plugins see it when next loaded).");
        return 0;
    }
}
