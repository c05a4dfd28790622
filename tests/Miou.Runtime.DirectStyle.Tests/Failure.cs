namespace Miou.DirectStyle.Tests;

/// <summary>OCaml's <c>Failure s</c> (<c>failwith s</c>): the cases compare its message.</summary>
public sealed class Failure(string message) : Exception(message);
