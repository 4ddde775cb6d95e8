"""The program report: figures gathered once, written as HTML, PDF and XLSX."""
