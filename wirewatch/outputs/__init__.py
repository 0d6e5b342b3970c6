"""What a person or a program reads: tables, the chart, the HTML report, Parquet export."""
