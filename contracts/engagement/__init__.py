"""The engagement an agreement in force governs: sessions and the coaching log, private
notes, the intake questionnaire and three-way meetings, one package each."""
