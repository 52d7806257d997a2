"""What the notebooks show: figures, Markdown tables, and the results table gathered from every run."""
