"""School: classes, enrolments per academic year, student QR cards, student attendance."""
