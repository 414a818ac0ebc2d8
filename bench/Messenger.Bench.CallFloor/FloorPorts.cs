using System.Net;

namespace Messenger.Bench.CallFloor;

/// <summary>Where the floor's two silos listen; away from run.sh's ports so both can run.</summary>
internal sealed record FloorPorts(int Base)
{
    public const int Silos = 2;

    public int Silo(int index) => Base + index;

    public int Gateway(int index) => Base + Silos + index;

    public IPEndPoint Primary => new(IPAddress.Loopback, Silo(0));
}
