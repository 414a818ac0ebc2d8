using Messenger.Silo.Hosting;
using Microsoft.Extensions.Hosting;

namespace Messenger.Silo;

/// <summary>The silo process: an Orleans silo hosting Messenger's grains.</summary>
public static class Program
{
    public static async Task Main(string[] args)
    {
        // Settings ship beside the binary, wherever it is started from.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddMessengerSilo();
        await builder.Build().RunAsync();
    }
}
