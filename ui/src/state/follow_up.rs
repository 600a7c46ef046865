//! The Settings "Follow-ups" card's form: the agent's time zone, and the organisation's plan
//! as rows an admin edits (each step on or off, its day, its priority) with the sources that get
//! no plan. Pure, so the rules are tested without a webview; the engine checks the plan again
//! (the same model rules) and the server once more.

use fieldstone_model::{FollowUpSettings, FollowUpStep, LeadSource, Priority, TaskKind};

/// One row: a plan step, whether it is in the plan, its day as typed and its priority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    pub kind: TaskKind,
    pub on: bool,
    pub days: String,
    pub priority: Priority,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanForm {
    pub rows: Vec<StepRow>,
    pub off_for: Vec<LeadSource>,
}

impl PlanForm {
    /// Every plan kind in order; the ones the settings leave out are off, at the standard day.
    pub fn from_settings(settings: &FollowUpSettings) -> Self {
        let rows = TaskKind::FOLLOW_UPS
            .iter()
            .map(
                |kind| match settings.steps.iter().find(|s| s.kind == *kind) {
                    Some(step) => StepRow {
                        kind: *kind,
                        on: true,
                        days: step.offset_days.to_string(),
                        priority: step.priority,
                    },
                    None => StepRow {
                        kind: *kind,
                        on: false,
                        days: kind.offset_days().unwrap_or(1).to_string(),
                        priority: Priority::Medium,
                    },
                },
            )
            .collect();
        PlanForm {
            rows,
            off_for: settings.off_for.clone(),
        }
    }

    /// The settings the rows say, or the row whose day is not a whole number of days with the
    /// sentence to fix it (`steps[i]` numbers the steps that are on, as the engine does).
    pub fn to_settings(&self) -> Result<FollowUpSettings, (String, String)> {
        let mut steps = Vec::new();
        for row in self.rows.iter().filter(|r| r.on) {
            let field = format!("steps[{}]", steps.len());
            let offset_days = row.days.trim().parse::<u16>().map_err(|_| {
                (
                    field,
                    format!(
                        "{}: enter the number of days after the contact is added, such as 3.",
                        row.kind.label()
                    ),
                )
            })?;
            steps.push(FollowUpStep {
                kind: row.kind,
                offset_days,
                priority: row.priority,
            });
        }
        Ok(FollowUpSettings {
            steps,
            off_for: self.off_for.clone(),
        })
    }

    /// The row the engine's field `steps[i]` names (the i-th row that is on).
    pub fn row_of(&self, field: &str) -> Option<TaskKind> {
        let i: usize = field
            .strip_prefix("steps[")?
            .strip_suffix(']')?
            .parse()
            .ok()?;
        self.rows.iter().filter(|r| r.on).nth(i).map(|r| r.kind)
    }

    pub fn toggle_source(&mut self, source: LeadSource) {
        if let Some(at) = self.off_for.iter().position(|s| *s == source) {
            self.off_for.remove(at);
        } else {
            self.off_for.push(source);
        }
    }

    /// Every lead source, for the "no plan for" choices.
    pub fn sources() -> Vec<LeadSource> {
        LeadSource::ALL.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_plan_reads_back_as_it_was() {
        let form = PlanForm::from_settings(&FollowUpSettings::default());
        assert_eq!(form.rows.len(), 5);
        assert!(form.rows.iter().all(|r| r.on));
        assert_eq!(form.rows[2].days, "7");
        assert_eq!(form.to_settings(), Ok(FollowUpSettings::default()));
    }

    #[test]
    fn a_step_switched_off_leaves_the_plan_and_the_engines_fields_name_the_right_row() {
        let mut form = PlanForm::from_settings(&FollowUpSettings::default());
        form.rows[1].on = false; // Day 3
        form.rows[2].days = " 10 ".into();
        form.toggle_source(LeadSource::Import);
        let settings = form.to_settings().expect("settings");
        assert_eq!(settings.steps.len(), 4);
        assert_eq!(settings.steps[1].kind, TaskKind::Week1);
        assert_eq!(settings.steps[1].offset_days, 10);
        assert_eq!(settings.off_for, vec![LeadSource::Import]);
        assert_eq!(form.row_of("steps[1]"), Some(TaskKind::Week1));
        assert_eq!(form.row_of("steps[9]"), None);
        assert_eq!(form.row_of("off_for[0]"), None);
        form.toggle_source(LeadSource::Import);
        assert!(form.off_for.is_empty());
    }

    #[test]
    fn a_day_that_is_not_a_number_is_named() {
        let mut form = PlanForm::from_settings(&FollowUpSettings::default());
        form.rows[3].days = "two weeks".into();
        let (field, message) = form.to_settings().expect_err("refused");
        assert_eq!(field, "steps[3]");
        assert!(message.starts_with("Week 2 follow-up"), "{message}");
    }
}
