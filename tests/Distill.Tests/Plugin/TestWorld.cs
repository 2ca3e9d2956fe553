namespace Distill.Tests.Plugin;

/// <summary>A tiny trained world for the plugin tests that need sound.</summary>
internal static class TestWorld
{
    public static string BundlePath => throw new NotImplementedException("the engine branch provides the test world");
}
