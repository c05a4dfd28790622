using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;

namespace Miou;

/// <summary>The outcome of a task: a value, or the exception it ended with (<see cref="CancelledException"/> when cancelled).</summary>
public readonly struct Result<T>
{
    private readonly T _value;
    private readonly ExceptionDispatchInfo? _error;

    private Result(T value, ExceptionDispatchInfo? error)
    {
        _value = value;
        _error = error;
    }

    /// <summary>A successful result.</summary>
    public static Result<T> Ok(T value) => new(value, null);

    /// <summary>A failed result.</summary>
    public static Result<T> Fail(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(default!, ExceptionDispatchInfo.Capture(error));
    }

    internal static Result<T> Fail(ExceptionDispatchInfo error) => new(default!, error);

    /// <summary>True when the task returned a value.</summary>
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsOk => _error is null;

    /// <summary>The value; throws <see cref="InvalidOperationException"/> if the result is an error.</summary>
    public T Value => _error is null ? _value : throw new InvalidOperationException($"The result is an error, not a value: {_error.SourceException.GetType().Name}: {_error.SourceException.Message}", _error.SourceException);

    /// <summary>The exception, or null when the result is a value.</summary>
    public Exception? Error => _error?.SourceException;

    /// <summary>The value, or rethrows the exception with its original stack trace.</summary>
    public T ValueOrThrow()
    {
        _error?.Throw();
        return _value;
    }

    /// <summary>Tries to get the value.</summary>
    public bool TryGetValue([MaybeNullWhen(false)] out T value)
    {
        value = _value;
        return _error is null;
    }

    /// <inheritdoc/>
    public override string ToString() => _error is null ? $"Ok({_value})" : $"Error({_error.SourceException.GetType().Name}: {_error.SourceException.Message})";
}
