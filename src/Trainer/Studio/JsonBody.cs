using Microsoft.AspNetCore.Http;
using System.Text.Json;

namespace Distill.Trainer.Studio;

/// <summary>Request bodies as records, with a clear sentence for a body that is missing or not the expected
/// JSON.</summary>
public static class JsonBody
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static async Task<T> Read<T>(HttpRequest request) where T : class
    {
        try
        {
            return await request.ReadFromJsonAsync<T>(Options)
                   ?? throw StudioRequestException.BadRequest("The request needs a JSON body.");
        }
        catch (JsonException e)
        {
            throw StudioRequestException.BadRequest(
                $"The request body is not the expected JSON ({e.Message.Split('.')[0]}).");
        }
        catch (InvalidOperationException)
        {
            throw StudioRequestException.BadRequest("The request body must be JSON (Content-Type: application/json).");
        }
    }
}
