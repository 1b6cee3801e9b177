"""Faces: enrolment samples (128-d dlib encodings) and 1:N identification."""
