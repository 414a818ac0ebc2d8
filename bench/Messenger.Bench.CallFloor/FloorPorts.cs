using System.Net;

namespace Messenger.Bench.CallFloor;

/// <summary>
/// Where the floor's two silos listen: each silo's own port, then each one's gateway. Away from
/// run.sh's ports by default, so the floor can run beside a cluster.
/// </summary>
internal sealed record FloorPorts(IReadOnlyList<int> Ports)
{
    public const int Silos = 2;

    public static FloorPorts Parse(string text)
    {
        var ports = text.Split(',', StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        return ports.Length == 2 * Silos
            ? new FloorPorts(ports)
            : throw new ArgumentException($"--ports takes {2 * Silos} ports: silo-0, silo-1, gateway-0, gateway-1");
    }

    public int Silo(int index) => Ports[index];

    public int Gateway(int index) => Ports[Silos + index];

    public IPEndPoint Primary => new(IPAddress.Loopback, Silo(0));

    public override string ToString() => string.Join(',', Ports);
}
