using Messenger.Silo.Hosting;
using Microsoft.Extensions.Hosting;

namespace Messenger.Silo;

/// <summary>The silo process: an Orleans silo hosting Messenger's grains.</summary>
public static class Program
{
    public static async Task Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.AddMessengerSilo();
        await builder.Build().RunAsync();
    }
}
