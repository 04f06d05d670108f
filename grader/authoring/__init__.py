"""Author and instructor tools: stub generation, variants, goldens, the release, reports, Gradescope."""
