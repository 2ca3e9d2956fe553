namespace Distill.Trainer;

/// <summary>An error whose message is meant for the user as is: printed without a stack trace.</summary>
public sealed class UserFacingException(string message) : Exception(message);
