global using Messenger.Grains.Interfaces;
global using Messenger.Grains.Interfaces.Models;
global using Messenger.Tests.Infrastructure;
global using Orleans;
global using Orleans.Hosting;
global using Orleans.Runtime;
