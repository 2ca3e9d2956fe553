namespace Distill.Runtime.Bundle;

/// <summary>
/// The contract between the trainer's ONNX export and every runtime: member names of the three
/// graphs and the names of their inputs and outputs. Shapes (B = 1 for the codec's graphs, a batch of voices for
/// the prior's; "steps" and "frames" are
/// symbolic; everything else fixed at export):
/// <list type="bullet">
/// <item><c>encoder.onnx</c>: <c>log_mel</c> float [1, 1, mels, frames] — natural-log mel power as
/// <see cref="Dsp.LogMelFeatures"/> computes it, frames a multiple of 16; normalisation is inside the graph
/// → <c>codes</c> int64 [1, steps, freq, levels], steps = frames / 16.</item>
/// <item><c>decoder.onnx</c>: <c>codes</c> int64 [1, steps, freq, levels], <c>morph_codes</c> int64
/// [1, steps, freq, levels], <c>morph</c> float [1, steps] (weight of <c>morph_codes</c>' latent per step:
/// latent = (1 − m)·Σ_l g_l·e_l(codes) + m·Σ_l g_l·e_l(morph_codes)), <c>level_gain</c> float [levels]
/// (g_l: 1 = level used, 0 = dropped; fractional values blend, so the RVQ depth control is smooth)
/// → <c>magnitude</c> float [1, frames, bins] (linear |X|: exp of the de-normalised log-magnitude head,
/// frame-major as <see cref="Dsp.Stft"/> uses), <c>log_mel</c> float [1, 1, mels, frames] (de-normalised
/// natural-log mel), frames = 16·steps. The decoder is causal in time and streams: <c>state_in_i</c> float
/// (shapes in <see cref="WorldManifest.DecoderState"/>; zeros = silence before the first step) carry the last
/// input frames of each time-causal layer from the previous call, <c>state_out_i</c> the same after this one, so
/// decoding a sequence in chunks, passing each call's state to the next, equals decoding it whole.</item>
/// <item><c>prior_step.onnx</c>: one token for each of a batch of B voices (B symbolic, "batch") of the GPT prior,
/// each voice with its own fixed-size ring cache and its own slot. <c>previous_token</c> int64 [B] (code of
/// slot − 1, ignored at slot 0), <c>slot</c> int64 [B] (absolute index of the slot whose code is predicted;
/// level = slot mod L, frequency = slot / L mod F), <c>rope_cos</c>, <c>rope_sin</c> float [B, headDim/2]
/// (cos/sin of time·base^(−2i/headDim), time = slot / tokensPerStep, computed in double by the caller so long
/// sessions stay exact), <c>past_keys_l</c>, <c>past_values_l</c> for each layer l, float
/// [B, heads, cacheSlots, headDim] (rotated keys and values of earlier tokens, in any slot order: attention is
/// order-free; one input per layer so the graph reads each in place), <c>past_mask</c> float [B, cacheSlots]
/// (0 = slot holds a token, −1e9 = empty), <c>anchor_histogram</c> float [B, levels·codebook] (the sound each voice's
/// generation continues: each level's code counts over the anchor's tokens normalised to sum 1 per level, index
/// level·codebook + code, as <see cref="Engine.AnchorHistogram"/> computes it; a blend of two for morph; zeros = none)
/// → <c>logits</c> float [B, codebook], <c>new_keys</c>,
/// <c>new_values</c> float [B, layers, heads, 1, headDim] (this token's entries, which the caller writes into
/// the ring). cacheSlots = context tokens − 1, so a token sees at most the context window, itself included,
/// exactly as the trainer's sliding-window step. A voice's outputs are bit-identical whatever B and whichever
/// voices share the call.</item>
/// </list>
/// </summary>
public static class WorldGraphs
{
    public const string EncoderMember = "encoder.onnx", DecoderMember = "decoder.onnx",
                        PriorStepMember = "prior_step.onnx";

    public static class Encoder
    {
        public const string LogMel = "log_mel", Codes = "codes";
    }

    public static class Decoder
    {
        public const string Codes = "codes", MorphCodes = "morph_codes", Morph = "morph", LevelGain = "level_gain";
        public const string Magnitude = "magnitude", LogMel = "log_mel";
        /// <summary>Input and output i of the decoder's carried state (<see cref="WorldManifest.DecoderState"/>).</summary>
        public static string StateIn(int i) => $"state_in_{i}";
        public static string StateOut(int i) => $"state_out_{i}";
    }

    public static class PriorStep
    {
        public const string PreviousToken = "previous_token", Slot = "slot", RopeCos = "rope_cos", RopeSin = "rope_sin";
        public const string PastMask = "past_mask";
        /// <summary>The symbolic batch dimension: voices stepped in one call.</summary>
        public const string Batch = "batch";
        /// <summary>Layer l's cached keys and values.</summary>
        public static string PastKeys(int layer) => $"past_keys_{layer}";
        public static string PastValues(int layer) => $"past_values_{layer}";
        public const string AnchorHistogram = "anchor_histogram";
        public const string Logits = "logits", NewKeys = "new_keys", NewValues = "new_values";
        /// <summary>Additive mask value of an empty cache slot.</summary>
        public const float EmptySlot = -1e9f;
    }

    /// <summary>Encoder/decoder time resolution: frames per latent time step (16× down).</summary>
    public const int FramesPerStep = 16;
}
