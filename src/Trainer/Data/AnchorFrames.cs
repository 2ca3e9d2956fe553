namespace Distill.Trainer.Data;

/// <summary>
/// The frames a clip's anchor is encoded from: the whole clip in whole time steps. A last partial step is completed
/// by the clip's own last frames mirrored about its end (frame F − 1 + j is frame F − 1 − j), so a note hears all of
/// its clip and then a continuation of how it ends: cut down to whole steps instead, a 1 s drum hit lost its last
/// 0.15 s and struck again that much early; completed with silence, a texture would drop out at every loop of its
/// anchor. A clip shorter than one step has no step to mirror and is completed with silence.
/// </summary>
public static class AnchorFrames
{
    /// <summary>Time steps of a clip of <paramref name="clipFrames"/> frames: every frame in one, at least one.</summary>
    public static int Steps(int clipFrames, int framesPerStep) =>
        Math.Max(1, (clipFrames + framesPerStep - 1) / framesPerStep);

    /// <summary>For each of the anchor's <see cref="Steps"/> · <paramref name="framesPerStep"/> frames, the clip frame
    /// it is read from, or −1 for silence.</summary>
    public static int[] Sources(int clipFrames, int framesPerStep)
    {
        var sources = new int[Steps(clipFrames, framesPerStep) * framesPerStep];
        for (int f = 0; f < sources.Length; f++)
            sources[f] = f < clipFrames ? f : clipFrames >= framesPerStep ? 2 * (clipFrames - 1) - f : -1;
        return sources;
    }
}
