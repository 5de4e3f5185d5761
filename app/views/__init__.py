"""The workbench's pages (one script per page, run by st.navigation) and what they share (common)."""
