"""介護予防・日常生活圏域ニーズ調査: canonical file, profiles, scoring, suppressed aggregates, and the
川島町-style needs ↔ helpers survey. See docs/survey.md of the project brief (mirrored in README)."""
