using System.Runtime.InteropServices;
using Miou.Unix.Interop;

namespace Miou.Unix.Tests;

/// <summary>
/// The direct read and send of non-blocking sockets (<c>Libc.SocketRead</c>, <c>Libc.SocketSend</c>: glibc's syscall(2),
/// no cancellation point) report what the libc wrappers report: the count, end of file as 0, and -1 with errno for a
/// would-block, a closed descriptor or a peer that has gone — read at once with <c>Libc.SystemErrno</c>. EINTR cannot be
/// provoked here: a call on a non-blocking socket never sleeps, so a signal cannot interrupt it (the callers still
/// retry on it, as with the wrappers).
/// </summary>
public unsafe class DirectSocketCalls : UnixTest
{
    [Test]
    public void AreUsedOnThisArchitecture()
    {
        Assume.That(RuntimeInformation.ProcessArchitecture, Is.EqualTo(Architecture.X64).Or.EqualTo(Architecture.Arm64));
        Assert.That(Libc.HasDirectSocketCalls, Is.True);
    }

    [Test]
    public void AnEmptySocketSaysWouldBlock()
    {
        var (a, b) = TestLibc.NonBlockingSocketPair();
        try
        {
            var buffer = stackalloc byte[16];
            var n = Libc.SocketRead(a, buffer, 16);
            var errno = Libc.SystemErrno;
            Assert.That(n, Is.EqualTo((nint)(-1)));
            Assert.That(errno, Is.EqualTo(Errno.EAGAIN));
        }
        finally
        {
            TestLibc.close(a);
            TestLibc.close(b);
        }
    }

    [Test]
    public void WhatIsSentIsReadThenEndOfFileIsZero()
    {
        var (a, b) = TestLibc.NonBlockingSocketPair();
        try
        {
            var message = "hello, direct"u8.ToArray();
            fixed (byte* p = message)
            {
                Assert.That(Libc.SocketSend(a, p, (nuint)message.Length, Libc.MSG_NOSIGNAL), Is.EqualTo((nint)message.Length));
            }

            var buffer = new byte[64];
            fixed (byte* p = buffer)
            {
                Assert.That(Libc.SocketRead(b, p, (nuint)buffer.Length), Is.EqualTo((nint)message.Length));
                Assert.That(buffer.AsSpan(0, message.Length).SequenceEqual(message), Is.True);
                TestLibc.close(a);
                a = -1;
                Assert.That(Libc.SocketRead(b, p, (nuint)buffer.Length), Is.EqualTo((nint)0), "end of file");
            }
        }
        finally
        {
            if (a >= 0)
            {
                TestLibc.close(a);
            }

            TestLibc.close(b);
        }
    }

    [Test]
    public void AClosedDescriptorIsEbadf()
    {
        // A number above any descriptor limit: never open (a number just closed could be reused by another thread of the runtime).
        const int closed = 1 << 30;
        var buffer = stackalloc byte[16];
        var read = Libc.SocketRead(closed, buffer, 16);
        var readErrno = Libc.SystemErrno;
        var sent = Libc.SocketSend(closed, buffer, 16, Libc.MSG_NOSIGNAL);
        var sendErrno = Libc.SystemErrno;
        Assert.That((read, readErrno), Is.EqualTo(((nint)(-1), Errno.EBADF)));
        Assert.That((sent, sendErrno), Is.EqualTo(((nint)(-1), Errno.EBADF)));
    }

    [Test]
    public void SendingToAGonePeerIsEpipeNotSigpipe()
    {
        var (a, b) = TestLibc.NonBlockingSocketPair();
        try
        {
            TestLibc.close(b);
            var buffer = stackalloc byte[16];
            var sent = Libc.SocketSend(a, buffer, 16, Libc.MSG_NOSIGNAL); // without MSG_NOSIGNAL the process would die here
            var errno = Libc.SystemErrno;
            Assert.That((sent, errno), Is.EqualTo(((nint)(-1), Errno.EPIPE)));
        }
        finally
        {
            TestLibc.close(a);
        }
    }

    [Test]
    public void AFullSocketSaysWouldBlock()
    {
        var (a, b) = TestLibc.NonBlockingSocketPair();
        try
        {
            var chunk = new byte[65536];
            nint sent;
            var total = 0L;
            fixed (byte* p = chunk)
            {
                while ((sent = Libc.SocketSend(a, p, (nuint)chunk.Length, Libc.MSG_NOSIGNAL)) > 0)
                {
                    total += sent;
                }
            }

            var errno = Libc.SystemErrno;
            Assert.That((sent, errno), Is.EqualTo(((nint)(-1), Errno.EAGAIN)), $"after {total} bytes");
        }
        finally
        {
            TestLibc.close(a);
            TestLibc.close(b);
        }
    }
}
