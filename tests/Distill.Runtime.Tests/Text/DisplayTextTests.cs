using Distill.Runtime.Text;

namespace Distill.Tests.Text;

public class DisplayTextTests
{
    [Theory]
    [InlineData("pads/warm 01", "pads/warm 01")]
    [InlineData("Grüße – ☃", "Grüße – ☃")]
    [InlineData("\u001b]0;owned\u0007\u001b[2J", "\\x1b]0;owned\\x07\\x1b[2J")] // retitle the terminal, clear the screen
    [InlineData("a\r\nb\tc", "a\\x0d\\x0ab\\x09c")]
    [InlineData("\u009b31m", "\\x9b31m")] // the one-byte C1 form of ESC [
    [InlineData("abc\u202Egnp.exe", "abc\\u202egnp.exe")] // right-to-left override
    public void ControlAndFormatCharactersAreEscapedAndEverythingElseKept(string name, string shown) =>
        Assert.Equal(shown, DisplayText.Escape(name));

    [Fact]
    public void EscapedTextHoldsNoControlOrFormatCharacter()
    {
        var random = new Random(6);
        for (int i = 0; i < 2000; i++)
        {
            var name = new string(Enumerable.Range(0, random.Next(1, 40)).Select(_ => (char)random.Next(0, 0x2100)).ToArray());
            Assert.DoesNotContain(DisplayText.Escape(name), c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
        }
    }
}
