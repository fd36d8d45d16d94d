using System.CommandLine;
using MoCo.Cli.Commands;

var root = new RootCommand("moco: MoCo self-supervised image pretraining for .NET");
root.Subcommands.Add(SmokeCommand.Create());
root.Subcommands.Add(PretrainCommand.Create());
return root.Parse(args).Invoke();
