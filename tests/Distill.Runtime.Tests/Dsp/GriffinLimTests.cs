using Distill.Runtime.Demo;
using Distill.Runtime.Dsp;
using Xunit.Abstractions;

namespace Distill.Tests.Dsp;

public class GriffinLimTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("pad", -15)]
    [InlineData("wind", -8)]
    public void ReconstructionConvergesAndMomentumHelps(string texture, double bound)
    {
        var x = DemoCorpus.Render(texture, 1, 1.0);
        var stft = new Stft(2048, 512);
        var mag = stft.Magnitude(x, out int frames);
        var gl = new GriffinLim(2048, 512);
        double few = gl.SpectralConvergenceDb(mag, gl.Reconstruct(mag, frames, x.Length, iterations: 4, momentum: 0));
        double plain = gl.SpectralConvergenceDb(mag, gl.Reconstruct(mag, frames, x.Length, iterations: 32, momentum: 0));
        double fast = gl.SpectralConvergenceDb(mag, gl.Reconstruct(mag, frames, x.Length, iterations: 32));
        output.WriteLine($"{texture}: GL 4 it {few:F1} dB, GL 32 it {plain:F1} dB, FGLA 32 it {fast:F1} dB");
        Assert.True(plain < few, "more iterations must help");
        Assert.True(fast < plain, "momentum must help");
        Assert.True(fast < bound, $"{fast} dB");
    }
}
