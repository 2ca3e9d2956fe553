using Microsoft.AspNetCore.Http;
using System.Security.Cryptography;
using System.Text;

namespace Distill.Trainer.Studio;

/// <summary>
/// The random secret in the studio's address. Other local users and web pages can reach 127.0.0.1 too, so every
/// request must carry it: in the query (<c>?token=</c>, the address printed), the <see cref="Header"/> (scripts), or
/// the cookie the first tokened request sets (so the page's own assets, audio and event stream need no token in
/// their addresses).
/// </summary>
public sealed class AccessToken
{
    public const string QueryKey = "token", Header = "X-Distill-Token", Cookie = "distill_studio";

    public string Value { get; }

    public AccessToken(string? value = null) =>
        Value = value ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public bool Admits(HttpRequest request)
    {
        string? given = request.Query.TryGetValue(QueryKey, out var q) ? q.ToString()
            : request.Headers.TryGetValue(Header, out var h) ? h.ToString()
            : request.Cookies[Cookie];
        return given is not null && Matches(given);
    }

    /// <summary>Constant-time comparison: how much of a guess matched must not show in the response time.</summary>
    bool Matches(string given) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(Value));

    /// <summary>Refuses requests without the token (403); a tokened address also sets the cookie.</summary>
    public async Task Guard(HttpContext context, RequestDelegate next)
    {
        if (!Admits(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsJsonAsync(new
            {
                error = "This address needs the studio's token: open the address that 'distill studio' printed.",
            });
            return;
        }
        if (context.Request.Query.ContainsKey(QueryKey))
            context.Response.Cookies.Append(Cookie, Value,
                new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
        await next(context);
    }
}
