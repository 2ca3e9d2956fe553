using System.CommandLine;

namespace Distill.Trainer.Studio;

/// <summary><c>distill studio</c>: starts the local web app and prints its address; Ctrl+C stops it (a running
/// training saves its checkpoint first).</summary>
public static class StudioCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port")
        {
            Description = "Port on 127.0.0.1 (default: any free port).", DefaultValueFactory = _ => 0,
        };
        var root = new Option<string?>("--root")
        {
            Description = "The folder the studio may browse, read and write below (default: your home folder).",
        };
        var command = new Command("studio",
            "Distill Studio in the browser: train with live charts, inspect worlds, edit their codes.") { port, root };
        command.SetAction(parse => Run(parse.GetValue(port), parse.GetValue(root)));
        return command;
    }

    static int Run(int port, string? root)
    {
        if (port is < 0 or > 65535)
            throw new UserFacingException($"--port {port} is not a port number (1–65535, or 0 for any free port).");
        string folder = root ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!Directory.Exists(folder)) throw new UserFacingException($"--root '{folder}' is not a folder.");
        var server = new StudioServer(folder, port);
        try
        {
            server.StartAsync().GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            throw new UserFacingException($"Cannot listen on 127.0.0.1:{port}: {e.Message}");
        }
        Console.WriteLine($"Distill Studio: {server.Address}");
        Console.WriteLine($"Folders below {server.State.Root.Path}. Ctrl+C stops the studio.");
        server.WaitForShutdownAsync().GetAwaiter().GetResult();
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }
}
