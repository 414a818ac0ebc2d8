global using Messenger.Grains.Interfaces;
global using Messenger.Grains.Interfaces.Models;
global using Messenger.Grains.Interfaces.Push;
global using Orleans;
global using Orleans.Runtime;
