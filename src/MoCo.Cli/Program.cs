return MoCo.Cli.MocoApp.Run(args);
