using System.CommandLine;

var root = new RootCommand("Quarry: retrieval-augmented answers from your documents.");
return await root.Parse(args).InvokeAsync();
