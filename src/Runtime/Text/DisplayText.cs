using System.Globalization;
using System.Text;

namespace Distill.Runtime.Text;

/// <summary>Text that came from a file (world, anchor, entry and file names) made safe to print: control and
/// invisible formatting characters are written as <c>\xNN</c> / <c>\uNNNN</c>, so a name can never move the cursor,
/// clear or retitle the terminal, or reorder what follows it.</summary>
public static class DisplayText
{
    public static string Escape(string text)
    {
        if (!text.Any(NeedsEscape)) return text;
        var escaped = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            if (!NeedsEscape(c)) escaped.Append(c);
            else escaped.Append(c < 0x100 ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}");
        }
        return escaped.ToString();
    }

    /// <summary>C0/C1 controls (ESC, BEL, CR…) and format characters (bidirectional overrides, zero-width
    /// joiners).</summary>
    static bool NeedsEscape(char c) =>
        char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;
}
