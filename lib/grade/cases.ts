/**
 * A graded case: its id, what it is worth, whether it passed, and the
 * evidence (what was sent, what came back), as every output shows it.
 *
 * @module
 */

/** How a case ended: passed, failed, or could not be judged here. */
export type Verdict = "pass" | "fail" | "skip";

/** One graded case. */
export interface CaseResult {
  /** `rubric/1` … `rubric/9`, `robust/<name>`. */
  id: string;
  /** What it checks, in a few words. */
  title: string;
  /** Points given. */
  points: number;
  /** Points it is worth (0 for a robustness case). */
  max: number;
  /** Whether it is a bonus item (its points go beyond the total). */
  bonus: boolean;
  /** Passed, failed, or not judged here (the evidence says why). */
  verdict: Verdict;
  /** What was sent and what came back, escaped; the reason last. */
  evidence: string[];
}

/** Records the evidence of one case while it runs, then judges it. */
export class CaseLog {
  readonly evidence: string[] = [];

  /** Notes a line of evidence. */
  note(line: string): void {
    this.evidence.push(line);
  }

  /** The case's result: all its points when it passed, none otherwise. */
  judge(
    about: { id: string; title: string; max: number; bonus?: boolean },
    verdict: Verdict,
    reason: string,
  ): CaseResult {
    return {
      ...about,
      bonus: about.bonus ?? false,
      points: verdict === "pass" ? about.max : 0,
      verdict,
      evidence: [...this.evidence, reason],
    };
  }
}

/** The whole grade: the cases, the score and what it is out of. */
export interface Grade {
  /** The points given, bonus items included. */
  score: number;
  /** The points of the items that are not bonus. */
  max: number;
  /** Every case, the rubric's first. */
  cases: CaseResult[];
  /** Whether every rubric item passed (the exit code says so). */
  passed: boolean;
}

/** Sums up `cases`. */
export function gradeOf(cases: CaseResult[]): Grade {
  const rubric = cases.filter((c) => c.id.startsWith("rubric/"));
  return {
    score: cases.reduce((sum, c) => sum + c.points, 0),
    max: rubric.filter((c) => !c.bonus).reduce((sum, c) => sum + c.max, 0),
    cases,
    passed: rubric.every((c) => c.verdict === "pass"),
  };
}
