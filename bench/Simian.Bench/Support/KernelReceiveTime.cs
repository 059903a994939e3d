using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Simian.Bench.Support;

/// <summary>
/// When the kernel received the bytes a blocking read returns (SO_TIMESTAMPNS on the socket, read back with
/// recvmsg): what the latency toxic delivered, without the time this harness's thread then took to wake up and
/// run. An idle client thread on a VM can take a millisecond or more to be scheduled after its data arrived, which
/// is the measuring client's delay, not the proxy's.
/// </summary>
public static class KernelReceiveTime
{
    private const int SolSocket = 1;
    private const int SoTimestampNs = 35; // SO_TIMESTAMPNS_OLD; the control message type SCM_TIMESTAMPNS is the same number
    private const int Eintr = 4;
    private const int Eagain = 11;

    /// <summary>Turns arrival stamping on for this socket (Linux); false where it cannot be.</summary>
    public static bool Enable(Socket socket)
    {
        int on = 1;
        return setsockopt((int)socket.SafeHandle.DangerousGetHandle(), SolSocket, SoTimestampNs, ref on, sizeof(int)) == 0;
    }

    /// <summary>
    /// Reads exactly <paramref name="buffer"/>.Length bytes and returns the kernel's arrival time of the last of
    /// them, as Unix time in nanoseconds (CLOCK_REALTIME, comparable with <see cref="NowUnixNs"/>).
    /// </summary>
    public static unsafe long ReceiveExactly(Socket socket, Span<byte> buffer)
    {
        var fd = (int)socket.SafeHandle.DangerousGetHandle();
        long arrival = -1;
        var got = 0;
        var control = stackalloc byte[128];
        fixed (byte* data = buffer)
        {
            while (got < buffer.Length)
            {
                var iov = new IoVec { Base = data + got, Length = (nuint)(buffer.Length - got) };
                var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = 128 };
                var n = recvmsg(fd, &message, 0);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Eintr)
                    {
                        continue;
                    }

                    if (errno == Eagain)
                    {
                        // .NET may have left the descriptor non-blocking: wait for data as a blocking read would.
                        socket.Poll(-1, SelectMode.SelectRead);
                        continue;
                    }

                    throw new BenchFailedException($"recvmsg failed: errno {errno}");
                }

                if (n == 0)
                {
                    throw new BenchFailedException("the echo connection closed during the ping-pong");
                }

                got += (int)n;
                for (var offset = 0; offset + sizeof(CmsgHdr) <= (int)message.ControlLength;)
                {
                    var header = (CmsgHdr*)(control + offset);
                    if (header->Level == SolSocket && header->Type == SoTimestampNs && (int)header->Length >= sizeof(CmsgHdr) + 16)
                    {
                        var spec = (long*)(control + offset + sizeof(CmsgHdr));
                        arrival = (spec[0] * 1_000_000_000L) + spec[1];
                    }

                    offset += ((int)header->Length + 7) & ~7;
                    if (header->Length == 0)
                    {
                        break;
                    }
                }
            }
        }

        return arrival >= 0 ? arrival : throw new BenchFailedException("the kernel gave no receive timestamp (SO_TIMESTAMPNS) for the reply");
    }

    /// <summary>Unix time in nanoseconds, CLOCK_REALTIME like the kernel's stamps.</summary>
    public static long NowUnixNs()
    {
        clock_gettime(0, out var now);
        return (now.Seconds * 1_000_000_000L) + now.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setsockopt(int fd, int level, int name, ref int value, int length);

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe nint recvmsg(int fd, MsgHdr* message, int flags);

    [DllImport("libc")]
    private static extern int clock_gettime(int clock, out TimeSpec time);
}
