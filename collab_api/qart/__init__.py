"""The quarterly adoption return (QART) workbook: read a returned one into the graph, write
the pre-filled one for a collaborative. The layout is that of the Martha's Rule sheets."""
