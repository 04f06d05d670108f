"""Runs at interpreter start-up if this folder is a site directory."""

from pathlib import Path

Path(__file__).with_name("RAN-" + Path(__file__).name).write_text("__CORPUS_RUN__")
Path("/tmp/RAN-" + Path(__file__).name + "-__CORPUS_RUN__").write_text("ran")
