namespace Distill.Trainer.Studio;

/// <summary>
/// Open editors, one per world: a second tab asking for a world another tab is editing is refused (two editors
/// would each save over the other's work) unless it takes over, which closes the first tab's session.
/// </summary>
public sealed class EditSessions : IDisposable
{
    sealed record Holder(string Id, string Tab, CodeGridEdit Edit);

    readonly Dictionary<string, Holder> byWorld = new();

    public (string Id, CodeGridEdit Edit) Open(LoadedWorld world, string tab, bool takeOver)
    {
        lock (byWorld)
        {
            if (byWorld.TryGetValue(world.Path, out var holder))
            {
                if (holder.Tab == tab) return (holder.Id, holder.Edit);
                if (!takeOver)
                    throw StudioRequestException.Conflict(
                        $"'{Path.GetFileName(world.Path)}' is being edited in another tab. Close its editor there, " +
                        "or take over here (that tab's unsaved edits are dropped).");
                lock (holder.Edit) holder.Edit.Dispose();
            }
            var opened = new Holder(Guid.NewGuid().ToString("N"), tab, new CodeGridEdit(world));
            byWorld[world.Path] = opened;
            return (opened.Id, opened.Edit);
        }
    }

    /// <summary>Runs <paramref name="action"/> on the session, one request at a time.</summary>
    public T With<T>(string id, Func<CodeGridEdit, T> action)
    {
        CodeGridEdit edit;
        lock (byWorld)
            edit = byWorld.Values.FirstOrDefault(h => h.Id == id)?.Edit
                ?? throw StudioRequestException.Conflict("This editor was closed: another tab took the world over, " +
                                                         "or the studio restarted. Open the world again.");
        lock (edit) return action(edit);
    }

    public void Close(string id)
    {
        lock (byWorld)
            foreach (var (path, holder) in byWorld.Where(h => h.Value.Id == id).ToArray())
            {
                byWorld.Remove(path);
                lock (holder.Edit) holder.Edit.Dispose();
            }
    }

    public void Dispose()
    {
        lock (byWorld)
        {
            foreach (var holder in byWorld.Values) holder.Edit.Dispose();
            byWorld.Clear();
        }
    }
}
