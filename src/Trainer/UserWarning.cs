using Distill.Runtime.Text;

namespace Distill.Trainer;

/// <summary>A warning for the user: something went wrong that the command worked around.</summary>
public static class UserWarning
{
    /// <summary>One line on plain stderr, like errors: never wrapped, easy to grep.</summary>
    public static void Print(string message) => Console.Error.WriteLine($"warning: {DisplayText.Escape(message)}");
}
