// `dotnet run --project src/Quarry.Server [-- --urls http://127.0.0.1:5000] [--data DIR] [--dev]`
return await Quarry.Server.QuarryServer.RunAsync(args);
