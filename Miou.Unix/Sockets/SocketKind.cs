namespace Miou.Unix;

/// <summary>What a descriptor is, which decides the operations it accepts (spec §7.1).</summary>
public enum SocketKind
{
    /// <summary>A stream socket (TCP, Unix-domain stream): accept, connect, read, write.</summary>
    Stream,

    /// <summary>A datagram socket (UDP): receive-from, send-to.</summary>
    Datagram,

    /// <summary>Not a socket (a pipe, a tty, a file): read and write only.</summary>
    Unknown,
}
