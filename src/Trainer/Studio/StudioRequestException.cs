using Microsoft.AspNetCore.Http;
namespace Distill.Trainer.Studio;

/// <summary>A request the studio refuses, with the HTTP status and the sentence the page shows.</summary>
public sealed class StudioRequestException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static StudioRequestException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);
    public static StudioRequestException NotFound(string message) => new(StatusCodes.Status404NotFound, message);
    public static StudioRequestException Conflict(string message) => new(StatusCodes.Status409Conflict, message);
}
