"""The `funnel presets` command: list the shipped presets, install some into the data
directory (pipelines/presets)."""

from __future__ import annotations

import argparse

from pipelines.console import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Console


def add_preset_commands(commands, common: argparse.ArgumentParser) -> None:
    presets = commands.add_parser(
        "presets", parents=[common], help="list the mapping presets, or install some",
        description="Without a subcommand: list the presets (mapping files for the exports of "
        "HubSpot, Salesforce, Marketo, GA4, ad platforms, sales engagement). `install NAME...` "
        "copies them into <data dir>/mappings/ and lookups/; a file you edited is kept "
        "unless --force.")
    actions = presets.add_subparsers(dest="presets_action", metavar="ACTION")
    install = actions.add_parser("install", parents=[common], help="copy presets into the data directory",
                                 description="Copy the presets' mapping and lookup files into "
                                 "<data dir>/mappings/ and <data dir>/lookups/. A file edited since "
                                 "it was installed (or a file of yours with the same name) is kept, "
                                 "and the command exits 1 naming it; --force replaces it.")
    install.add_argument("names", nargs="+", metavar="NAME", help="preset names (see `funnel presets`)")
    install.add_argument("--force", action="store_true", help="replace files you have edited")


def cmd_presets(args, console: Console) -> int:
    from pipelines import presets

    if getattr(args, "presets_action", None) != "install":
        for preset in presets.available().values():
            console.say(f"{preset.name:<13} {preset.description}")
            if args.verbose:
                for export in preset.exports:
                    console.say(f"{'':<15}{export}")
        return EXIT_OK
    data_dir = args.settings.data_path
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        result = presets.install(args.names, data_dir, force=args.force)
    except KeyError as error:
        console.error(error.args[0])
        return EXIT_USAGE
    for relative in result.written:
        console.progress(f"wrote {relative}")
    console.say(f"installed {', '.join(dict.fromkeys(args.names))}: {len(result.written)} file(s) "
                f"written, {len(result.unchanged)} already up to date"
                + (f", {len(result.kept)} kept" if result.kept else ""))
    for relative in result.kept:
        console.error(f"kept {data_dir / relative}: it differs from the preset and was edited "
                      "since it was installed (or is your own); `--force` replaces it")
    return EXIT_FAILED if result.kept else EXIT_OK


PRESET_COMMANDS = {"presets": cmd_presets}
