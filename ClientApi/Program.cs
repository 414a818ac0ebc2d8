using Messenger.ClientApi.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMessengerClientApi();

var app = builder.Build();
app.UseMessengerClientApi();
app.Run();

/// <summary>The ClientApi entry point (public for the in-process tests).</summary>
public partial class Program;
