using System.Globalization;
using System.Text;
using Distill.Runtime.Automation;

namespace Distill.Tests.Automation;

public class AutomationCsvTests
{
    static AutomationPoint[] Parse(string text) => AutomationCsv.Parse(new StringReader(text), "test.csv");

    [Fact]
    public void RowsCommentsHeaderAndQuotesParseAndSortStablyByTime()
    {
        var points = Parse("""
            # automation for a test render
            time, parameter, value

            2.5,cutoff,1200
              0.25 , "morph" , -0.5
            1e0,depth,3
            # equal times keep file order
            2.5,cutoff,900
            0,temperature,0.9
            """);
        Assert.Equal(
        [
            new AutomationPoint(0, "temperature", 0.9, 9), new AutomationPoint(0.25, "morph", -0.5, 5), new AutomationPoint(1, "depth", 3, 6),
            new AutomationPoint(2.5, "cutoff", 1200, 4), new AutomationPoint(2.5, "cutoff", 900, 8),
        ], points);
        Assert.Empty(Parse("# nothing but comments\n\n"));
    }

    [Fact]
    public void NumbersUseTheInvariantCultureWhateverTheCurrentOne()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal("0,5", 0.5.ToString(CultureInfo.CurrentCulture)); // the culture really is in effect
            Assert.Equal(0.5, Parse("0.5,gain,1.25").Single().Seconds);
            Assert.Equal(1.25, Parse("0.5,gain,1.25").Single().Value);
        }
        finally { CultureInfo.CurrentCulture = saved; }
    }

    [Fact]
    public void EveryBadRowIsReportedWithItsLine()
    {
        var e = Assert.Throws<AutomationFormatException>(() => Parse("""
            time,parameter,value
            0.5;cutoff;3
            1,5,cutoff,3
            abc,cutoff,1
            -1,cutoff,1
            1,,2
            1,cutoff,x
            1,cutoff,NaN
            Infinity,cutoff,1
            2,gain,0.5
            time,parameter,value
            """));
        Assert.Equal(
        [
            "line 2: expected 3 fields (time,parameter,value), found 1",
            "line 3: expected 3 fields (time,parameter,value), found 4 (numbers use '.' as the decimal point)",
            "line 4: 'abc' is not a time in seconds",
            "line 5: time -1 is negative",
            "line 6: the parameter name is empty",
            "line 7: 'x' is not a number",
            "line 8: 'NaN' is not a number",
            "line 9: 'Infinity' is not a time in seconds",
            "line 11: 'time' is not a time in seconds", // a header only counts as the first row
        ], e.Problems);
        Assert.StartsWith("test.csv: line 2:", e.Message);
    }

    [Fact]
    public void UnknownParametersAreNamedOnceWithASuggestionAndTheValidNames()
    {
        var points = Parse("0,cutof,1\n1,Gain,2\n2,cutof,3\n3,zzzz,4\n4,morph,0");
        string[] names = ["cutoff", "gain", "morph"];
        var e = Assert.Throws<AutomationFormatException>(() => AutomationCsv.CheckParameters(points, names, "test.csv"));
        Assert.Equal(
        [
            "line 1: unknown parameter 'cutof' (did you mean 'cutoff'?)",
            "line 2: unknown parameter 'Gain' (did you mean 'gain'?)",
            "line 4: unknown parameter 'zzzz'",
            "valid parameters: cutoff, gain, morph",
        ], e.Problems);
        AutomationCsv.CheckParameters(points.Where(p => p.Parameter == "morph"), names); // known names pass
    }

    [Fact]
    public void ReadsAFileWithAByteOrderMark()
    {
        string path = Path.Combine(Path.GetTempPath(), $"distill-automation-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "time,parameter,value\r\n0.5,gain,1\r\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        try
        {
            Assert.Equal([new AutomationPoint(0.5, "gain", 1, 2)], AutomationCsv.Read(path));
        }
        finally { File.Delete(path); }
    }
}
