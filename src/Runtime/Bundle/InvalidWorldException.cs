namespace Distill.Runtime.Bundle;

/// <summary>A <c>.distill</c> bundle that cannot be played, with every problem found (not just the first),
/// each a sentence meant for the user. The only exception that opening or writing a bundle lets escape.</summary>
public sealed class InvalidWorldException(string bundle, IReadOnlyList<string> problems)
    : Exception($"'{bundle}' is not a valid Distill world:" +
                string.Concat(problems.Select(p => $"{Environment.NewLine}  - {p}")))
{
    /// <summary>The file (or stream name) the problems were found in.</summary>
    public string Bundle { get; } = bundle;
    public IReadOnlyList<string> Problems { get; } = problems;
}
